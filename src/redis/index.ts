// The public surface of "xai-batch/redis": one team quota shared by many workers. Only this module needs
// the optional peer dependency ioredis.
export { redisQuotaLimiter, RedisQuotaLimiter } from "./redis-quota-limiter.js";
export type { RedisQuotaOptions, UnreachablePolicy } from "./options.js";
