export { canonicalJson, type WriteCounts, type WriteScope } from "./common";
export { getOrder, writeOrders } from "./orders";
export { enrichEvent, getProduct, writeProducts } from "./products";
export { ensureProfiles, writeCustomers } from "./profiles";
export { getProfile, type ProfileView } from "./reads";
