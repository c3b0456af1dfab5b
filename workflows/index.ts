export { requestWorkflow } from './request/workflow';
