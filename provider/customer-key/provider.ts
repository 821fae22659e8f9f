// The provider stored in the state of every customer-key resource (see ../shared/thin-provider.ts). Keep this path.
import { thinProvider } from "../shared/thin-provider";

export = thinProvider("customer-key");
