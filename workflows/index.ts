export { requestWorkflow } from './request/workflow';
export { monthlyQualityReportWorkflow, qualityReportWorkflow } from './quality-report/workflow';
export { retentionWorkflow } from './retention/workflow';
