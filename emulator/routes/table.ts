import { Router } from "../http/router";
import { actionRoutes } from "./actions";
import { addonConfigRoutes } from "./addon-config";
import { addonRoutes } from "./addons";
import { addonServiceRoutes } from "./addon-services";
import { appRoutes } from "./apps";
import { attachmentRoutes } from "./attachments";
import { configVarRoutes } from "./config-vars";
import { controlRoutes } from "./control";
import { credentialRoutes } from "./credentials";
import { dataDatabaseRoutes } from "./data-databases";
import { enhancedCertificateRoutes } from "./data-enhanced-certificates";
import { mtlsRoutes } from "./mtls";

/** Every route the emulator serves. Anything else answers 501 naming the route. */
export function buildRouter(): Router {
  const r = new Router();
  appRoutes(r);
  addonRoutes(r);
  addonServiceRoutes(r);
  attachmentRoutes(r);
  configVarRoutes(r);
  actionRoutes(r);
  dataDatabaseRoutes(r);
  enhancedCertificateRoutes(r);
  mtlsRoutes(r);
  credentialRoutes(r);
  addonConfigRoutes(r);
  controlRoutes(r);
  return r;
}
