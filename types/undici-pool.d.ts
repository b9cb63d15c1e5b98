// undici's Pool module on its own (lib/http/client/undici-fetch.ts imports it by path; the package's types are for its index).
declare module "undici/lib/dispatcher/pool.js" {
  import type { Pool } from "undici/index.js";

  const PoolClass: typeof Pool;
  export default PoolClass;
}
