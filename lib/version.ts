// The platform version every service reports, taken from package.json at build time (embedded in the executable).
import pkg from "../package.json" with { type: "json" };

export const VERSION: string = pkg.version;
