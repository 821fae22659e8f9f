// The provider stored in the state of every ip-allowlist resource (see ../shared/thin-provider.ts). Keep this path.
import { thinProvider } from "../shared/thin-provider";

export = thinProvider("ip-allowlist");
