/**
 * Whether an operation on a database or a third party writes (its effect outlives a rollback),
 * only reads, or cannot be told: SQL and DDL keywords, the write commands of the common NoSQL
 * stores as their instrumentations name them in `db.operation.name`, and HTTP methods.
 * CONTRACT §3: writes make an edge `data-migration`.
 */

export type Effect = 'write' | 'read' | 'unknown';

const WRITES = new Set(
  [
    // SQL, CQL and DDL
    'insert', 'update', 'delete', 'merge', 'upsert', 'replace', 'create', 'alter', 'drop', 'truncate', 'rename',
    'grant', 'revoke', 'copy', 'load', 'batch', 'call', 'exec', 'execute', 'vacuum', 'reindex', 'comment',
    // MongoDB
    'insertone', 'insertmany', 'updateone', 'updatemany', 'replaceone', 'deleteone', 'deletemany', 'remove', 'save',
    'findandmodify', 'findoneandupdate', 'findoneandreplace', 'findoneanddelete', 'bulkwrite', 'createindex',
    'createindexes', 'dropindex', 'dropindexes', 'dropdatabase', 'createcollection', 'renamecollection',
    // Redis
    'set', 'setex', 'psetex', 'setnx', 'mset', 'msetnx', 'getset', 'getdel', 'getex', 'append', 'setrange', 'setbit',
    'incr', 'incrby', 'incrbyfloat', 'decr', 'decrby', 'del', 'unlink', 'expire', 'expireat', 'pexpire', 'pexpireat',
    'persist', 'renamenx', 'restore', 'move', 'hset', 'hsetnx', 'hmset', 'hdel', 'hincrby', 'hincrbyfloat',
    'lpush', 'rpush', 'lpushx', 'rpushx', 'lpop', 'rpop', 'blpop', 'brpop', 'lset', 'lrem', 'linsert', 'ltrim',
    'rpoplpush', 'brpoplpush', 'lmove', 'blmove', 'sadd', 'srem', 'spop', 'smove', 'sinterstore', 'sunionstore',
    'sdiffstore', 'zadd', 'zrem', 'zincrby', 'zpopmin', 'zpopmax', 'bzpopmin', 'bzpopmax', 'zremrangebyscore',
    'zremrangebyrank', 'zremrangebylex', 'zunionstore', 'zinterstore', 'xadd', 'xdel', 'xtrim', 'xack', 'xclaim',
    'pfadd', 'pfmerge', 'geoadd', 'flushdb', 'flushall', 'eval', 'evalsha', 'fcall',
    // Memcached, Couchbase
    'add', 'cas', 'prepend', 'touch', 'flush_all', 'mutatein',
    // Elasticsearch / OpenSearch endpoint ids
    'index', 'bulk', 'update_by_query', 'delete_by_query', 'indices.create', 'indices.delete', 'indices.put_mapping',
    'indices.put_settings', 'indices.put_alias', 'indices.delete_alias',
    // DynamoDB, Cosmos DB
    'putitem', 'updateitem', 'deleteitem', 'batchwriteitem', 'transactwriteitems', 'createtable', 'updatetable',
    'deletetable', 'upsert_item', 'create_item', 'replace_item', 'delete_item', 'patch_item',
    // HTTP: side-effecting methods
    'post', 'put', 'patch',
  ],
);

const READS = new Set([
  // SQL
  'select', 'show', 'describe', 'desc', 'explain', 'with', 'values', 'table', 'begin', 'commit', 'rollback',
  'start', 'set transaction', 'savepoint', 'release', 'use', 'prepare', 'deallocate',
  // MongoDB
  'find', 'findone', 'aggregate', 'count', 'countdocuments', 'estimateddocumentcount', 'distinct', 'getmore',
  'listcollections', 'listindexes', 'ping', 'hello', 'ismaster', 'endsessions',
  // Redis
  'get', 'mget', 'getrange', 'strlen', 'exists', 'ttl', 'pttl', 'type', 'keys', 'scan', 'hget', 'hmget', 'hgetall',
  'hkeys', 'hvals', 'hlen', 'hexists', 'hscan', 'llen', 'lrange', 'lindex', 'scard', 'smembers', 'sismember',
  'smismember', 'srandmember', 'sscan', 'sinter', 'sunion', 'sdiff', 'zcard', 'zcount', 'zscore', 'zrank',
  'zrevrank', 'zrange', 'zrangebyscore', 'zrevrange', 'zrevrangebyscore', 'zscan', 'xrange', 'xrevrange', 'xlen',
  'xread', 'pfcount', 'geopos', 'geodist', 'georadius', 'geosearch', 'info', 'dbsize', 'echo', 'auth', 'select db',
  'multi', 'watch', 'unwatch', 'discard', 'client',
  // Memcached, Couchbase
  'gets', 'lookupin',
  // Elasticsearch / OpenSearch
  'search', 'msearch', 'count', 'mget', 'get_source', 'scroll', 'clear_scroll', 'indices.get', 'indices.exists',
  'cluster.health', 'cat.indices',
  // DynamoDB, Cosmos DB
  'getitem', 'batchgetitem', 'query', 'transactgetitems', 'describetable', 'listtables', 'read_item', 'query_items',
  // HTTP
  'head', 'options', 'trace', 'connect',
]);

/**
 * The effect of one operation name as rollgraph names operations: a database command or the
 * first keyword of a statement (`INSERT`, `findOneAndUpdate`, `PutItem`), or an HTTP method and
 * path (`POST /v1/charges`). HTTP `DELETE` is a write like SQL's.
 */
export function classifyOperation(name: string): Effect {
  const lower = name.trim().toLowerCase();
  const words = lower.split(/[\s(]+/);
  // `HTTP POST` is how older HTTP instrumentations name client spans.
  const first = (words[0] === 'http' ? words[1] : words[0]) ?? '';
  for (const candidate of [lower, first, first.slice(first.lastIndexOf('.') + 1)]) {
    if (WRITES.has(candidate)) return 'write';
    if (READS.has(candidate)) return 'read';
  }
  return 'unknown';
}
