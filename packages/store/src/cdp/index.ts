export { canonicalJson, type WriteCounts, type WriteScope } from "./common";
export { getOrder, writeOrders } from "./orders";
export { type EventProduct, enrichEvent, getProduct, type ProductEvent, writeProducts } from "./products";
export { ensureProfiles, writeCustomers } from "./profiles";
export { getProfile, type ProfileView } from "./reads";
