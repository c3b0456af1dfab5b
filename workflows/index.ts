export { requestWorkflow } from './request/workflow';
export { processWorkflow } from './process/workflow';
export { monthlyQualityReportWorkflow, qualityReportWorkflow } from './quality-report/workflow';
export { retentionWorkflow } from './retention/workflow';
export { subscriptionConfirmationWorkflow } from './subscriptions/workflow';
export { campaignWorkflow } from './campaigns/workflow';
export { probeWorkflow } from './probe/workflow';
