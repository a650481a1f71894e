export { servicesNeeded, parseServicesFlag, type ServiceNeeds } from './needs';
export { provisionPlan, type ProvisionPlan, type TablePlan, type BucketPlan } from './plan';
export { applyProvisionPlan, describeProvisioning, type ProvisionResult, type ProvisionClients } from './apply';
