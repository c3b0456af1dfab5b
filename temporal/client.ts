import { Client, Connection, WorkflowExecutionAlreadyStartedError, WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/client';
import type { StartRequestInput } from '@/domain/intake/start-input';
import { PROCESS_WORKFLOW_TYPE } from '@/domain/processes/workflow-contract';
import { REFERENCE_ATTRIBUTE, STATE_ATTRIBUTE, TENANT_ATTRIBUTE, DEPARTMENT_ATTRIBUTE } from '@/workflows/search-attributes';
import { REQUEST_TASK_QUEUE } from '@/workflows/request/definitions';
import type { requestWorkflow } from '@/workflows/request/workflow';
import { requestIdClientInterceptor } from './request-id';

/** Where to reach Temporal. */
export interface TemporalTarget {
  address: string;
  namespace: string;
}

const clients = new Map<string, Promise<Client>>();

/** One lazily connected client per address and process. */
export function temporalClient(target: TemporalTarget): Promise<Client> {
  const key = `${target.address}/${target.namespace}`;
  let client = clients.get(key);
  if (!client) {
    client = Connection.connect({ address: target.address }).then(
      (connection) => new Client({ connection, namespace: target.namespace, interceptors: { workflow: [requestIdClientInterceptor] } }),
    );
    clients.set(key, client);
    client.catch(() => clients.delete(key));
  }
  return client;
}

/** Closes every client connection of this process. */
export async function closeTemporalClients(): Promise<void> {
  const all = [...clients.values()];
  clients.clear();
  await Promise.all(all.map(async (c) => (await c).connection.close()));
}

/**
 * Starts a request workflow, idempotently: a start for an id that is running joins it (use-existing) and one for an id
 * whose run has ended is refused (reject-duplicate) and counts as done, so a retried start never makes a second run.
 * A request that follows a process runs `processWorkflow` with the definition in its input; one on its topic's own
 * settings runs `requestWorkflow`.
 */
export function requestWorkflowStarter(target: TemporalTarget, taskQueue = REQUEST_TASK_QUEUE) {
  return async (input: StartRequestInput): Promise<void> => {
    const client = await temporalClient(target);
    const { workflowId, ...args } = input;
    try {
      await client.workflow.start<typeof requestWorkflow>(args.process ? PROCESS_WORKFLOW_TYPE : 'requestWorkflow', {
        taskQueue,
        workflowId,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        args: [args],
        typedSearchAttributes: [
          { key: TENANT_ATTRIBUTE, value: input.tenantSlug },
          { key: REFERENCE_ATTRIBUTE, value: input.reference },
          { key: DEPARTMENT_ATTRIBUTE, value: input.department.slug },
          { key: STATE_ATTRIBUTE, value: 'received' },
        ],
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
  };
}
