// The X-Cart connector: X-Cart 5.5's built-in REST API (API Platform, `/api`, `X-Auth-Token`),
// plus the 5.4 legacy REST API for the one thing 5.5 cannot write (tracking numbers).
// Operations live one per file in ./operations; the order trigger in ./triggers.ts.
import { z } from 'zod';
import { secret } from '../secret-fields.js';
import { userError } from '../../core/errors.js';
import type { ConnectorDefinition } from '../types.js';
import { XcartClient, type XcartConfig } from './client.js';
import { listOrders } from './operations/listOrders.js';
import { getOrder } from './operations/getOrder.js';
import { getOrderByNumber } from './operations/getOrderByNumber.js';
import { updatePaymentStatus } from './operations/updatePaymentStatus.js';
import { updateShippingStatus } from './operations/updateShippingStatus.js';
import { listOrderDetails } from './operations/listOrderDetails.js';
import { listOrderHistory } from './operations/listOrderHistory.js';
import { listOrderPaymentTransactions } from './operations/listOrderPaymentTransactions.js';
import { listProducts } from './operations/listProducts.js';
import { getProduct } from './operations/getProduct.js';
import { createProduct } from './operations/createProduct.js';
import { updateProduct } from './operations/updateProduct.js';
import { deleteProduct } from './operations/deleteProduct.js';
import { listVariants } from './operations/listVariants.js';
import { getVariant } from './operations/getVariant.js';
import { createVariant } from './operations/createVariant.js';
import { updateVariant } from './operations/updateVariant.js';
import { deleteVariant } from './operations/deleteVariant.js';
import { listSkus } from './operations/listSkus.js';
import { setStock } from './operations/setStock.js';
import { findSku } from './operations/findSku.js';
import { getCapabilities } from './operations/getCapabilities.js';
import { listProfiles } from './operations/listProfiles.js';
import { getProfile } from './operations/getProfile.js';
import { createProfile } from './operations/createProfile.js';
import { updateProfile } from './operations/updateProfile.js';
import { deleteProfile } from './operations/deleteProfile.js';
import { listAddresses } from './operations/listAddresses.js';
import { getAddress } from './operations/getAddress.js';
import { createAddress } from './operations/createAddress.js';
import { updateAddress } from './operations/updateAddress.js';
import { deleteAddress } from './operations/deleteAddress.js';
import { addTrackingNumber } from './operations/addTrackingNumber.js';
import { updateTrackingNumber } from './operations/updateTrackingNumber.js';
import { deleteTrackingNumber } from './operations/deleteTrackingNumber.js';
import { checkAccess } from './operations/checkAccess.js';
import { getPaymentStatus } from './operations/getPaymentStatus.js';
import { getShippingStatus } from './operations/getShippingStatus.js';
import { findCustomer } from './operations/findCustomer.js';
import { listCustomers } from './operations/listCustomers.js';
import { addProductToCategory, createCategory, findCategory } from './operations/categories.js';
import { setProductAttributes } from './operations/setProductAttributes.js';

export { XcartClient, allPages, type XcartConfig, type Page } from './client.js';
export { createOrderPoller, orderVersion, type OrderPollerOptions } from './triggers.js';
export { verifyWebhook, signWebhook, type XcartWebhookEvent } from './webhooks.js';
export type { SkuEntry } from './operations/listSkus.js';
export * from './schemas.js';
export { listOrders, getOrder, getOrderByNumber, updatePaymentStatus, updateShippingStatus, listOrderDetails, listOrderHistory, listOrderPaymentTransactions, listProducts, getProduct, createProduct, updateProduct, deleteProduct, listVariants, getVariant, createVariant, updateVariant, deleteVariant, listSkus, findSku, setStock, listProfiles, getProfile, createProfile, updateProfile, deleteProfile, listAddresses, getAddress, createAddress, updateAddress, deleteAddress, addTrackingNumber, updateTrackingNumber, deleteTrackingNumber, checkAccess, getCapabilities, getPaymentStatus, getShippingStatus, findCustomer, listCustomers, findCategory, createCategory, addProductToCategory, setProductAttributes };

export const xcartConfigSchema = z.strictObject({
  baseUrl: z.url({ protocol: /^https?$/ }),
  token: secret(z.string().min(1, 'the X-Cart API token is required (Admin → Settings → API)')),
  itemsPerPage: z.number().int().min(1).max(100).optional(),
  timeoutMs: z.number().int().positive().optional(),
  legacyKey: secret(z.string().min(1)).optional(),
  /** X-Cart 5.5 has no API that writes tracking numbers: 'legacy-rest' only where the store runs the 5.4 REST API module. */
  trackingModule: z.enum(['none', 'legacy-rest']).default('none'),
});

/** The operations, by id (also their rate-limit bucket names). */
export const xcartOperations = {
  listOrders, getOrder, getOrderByNumber, updatePaymentStatus, updateShippingStatus, listOrderDetails, listOrderHistory, listOrderPaymentTransactions, listProducts, getProduct, createProduct, updateProduct, deleteProduct, listVariants, getVariant, createVariant, updateVariant, deleteVariant, listSkus, findSku, setStock, listProfiles, getProfile, createProfile, updateProfile, deleteProfile, listAddresses, getAddress, createAddress, updateAddress, deleteAddress, addTrackingNumber, updateTrackingNumber, deleteTrackingNumber, checkAccess, getCapabilities, getPaymentStatus, getShippingStatus, findCustomer, listCustomers, findCategory, createCategory, addProductToCategory, setProductAttributes,
} as const;

// X-Cart publishes no API rate limit; it is PHP on the merchant's own host. These defaults keep an
// integration from starving the storefront (about one PHP worker's worth); configure per store.
const READ = { ratePerSec: 20, burst: 40 };
const WRITE = { ratePerSec: 5, burst: 10 };

export const xcartConnector: ConnectorDefinition<XcartConfig, XcartClient> = {
  id: 'xcart',
  name: 'X-Cart 5.5 REST API (API Platform)',
  apiVersion: '5.5',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  configSchema: xcartConfigSchema,
  rateLimits: Object.fromEntries(
    // Composite operations (listSkus, setStock) spend their inner calls' buckets, not their own.
    Object.keys(xcartOperations).filter((id) => id !== 'listSkus' && id !== 'findSku' && id !== 'getCapabilities' && id !== 'setStock').map((id) => [id, /^(list|get|check)/.test(id) ? READ : WRITE]),
  ),
  createClient(config, deps) {
    const parsed = xcartConfigSchema.safeParse(config);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`);
      throw userError('XCART_BAD_CONFIG', `X-Cart connection settings are invalid: ${issues.join('; ')}`, { details: { issues } });
    }
    return new XcartClient(parsed.data, { ...deps, rateLimits: xcartConnector.rateLimits });
  },
  async testConnection(client) {
    // The cheapest authenticated read: one order (or none) proves the token and the URL.
    await listOrders.call(client, { itemsPerPage: 1 });
  },
};
