// moved to lib/contracts; chaos still imports it here
export { AvroDecoder } from "./contracts/wire_format.ts";
