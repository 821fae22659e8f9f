// The provider stored in the state of every credential resource (see ../shared/thin-provider.ts). Keep this path.
import { thinProvider } from "../shared/thin-provider";

export = thinProvider("credential");
