export { redisServerAvailable, startTestRedis, type TestRedis } from './redis-server.js';
