// Which X-Cart store this sandbox plays. Default: a stock X-Cart 5.5 (iidevv/xc55), whose API has no
// resource that writes tracking numbers and which ships no REST API module. A store that has kept
// the 5.4 legacy module (XC\RESTAPI, `admin.php?target=RESTAPI`) is opt-in: `trackingModule:
// 'legacy-rest'` (an extension as far as 5.5 is concerned, labelled on every answer).
import { z } from 'zod';

export const xcartFeaturesSchema = z.strictObject({
  trackingModule: z.enum(['none', 'legacy-rest']).default('none'),
});
export type XcartFeatures = z.output<typeof xcartFeaturesSchema>;
