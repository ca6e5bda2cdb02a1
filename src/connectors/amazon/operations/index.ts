export { getOrders } from './getOrders.js';
export { getOrder } from './getOrder.js';
export { getOrderItems } from './getOrderItems.js';
export { getOrderAddress } from './getOrderAddress.js';
export { getOrderBuyerInfo } from './getOrderBuyerInfo.js';
export { createRestrictedDataToken } from './createRestrictedDataToken.js';
