// Which X3 site the sandbox plays: the stock screens by default; a site's own publication contents
// (custom Y*/Z* fields, extra tables such as ITM3_2) are declared per site, as GESAWE publishes them.
import { z } from 'zod';
import { publicationDeclarationSchema } from './publications.js';

export const sagex3FeaturesSchema = z.strictObject({
  /** Per object: blocks to extend or add (publications.ts). SAGE_TESTER_PUBLICATIONS declares what Sage's tester samples use. */
  publicationFields: publicationDeclarationSchema.default({}),
});
export type SageX3Features = z.output<typeof sagex3FeaturesSchema>;
