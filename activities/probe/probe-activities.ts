/** The activity of the probe workflow: nothing but the round trip through the stack. */
export function createProbeActivities() {
  return {
    /** Answers at once with the worker's clock. */
    probe: async (): Promise<number> => Date.now(),
  };
}

/** The activity functions, as workflows see their types. */
export type ProbeActivities = ReturnType<typeof createProbeActivities>;
