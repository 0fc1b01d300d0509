export { createTenantWithKey, findTenantByApiKey, type Tenant } from "./tenants";
