/**
 * The OpenTelemetry semantic-convention attributes rollgraph reads, each logical field with its
 * current name first and its deprecated aliases after (FORMATS.md §6). Mixed SDK versions emit
 * mixed names in one file, so every lookup tries them all in this order.
 */

export const RESOURCE = {
  service: 'service.name',
  version: 'service.version',
  environment: ['deployment.environment.name', 'deployment.environment'],
} as const;

export const ATTR = {
  dbSystem: ['db.system.name', 'db.system'],
  dbNamespace: ['db.namespace', 'db.name'],
  dbOperation: ['db.operation.name', 'db.operation'],
  dbQuery: ['db.query.text', 'db.statement'],
  messagingSystem: ['messaging.system'],
  messagingDestination: ['messaging.destination.name', 'messaging.destination'],
  peerService: ['service.peer.name', 'peer.service'],
  serverAddress: ['server.address', 'net.peer.name'],
  url: ['url.full', 'http.url'],
  urlPath: ['url.path', 'http.target'],
  httpMethod: ['http.request.method', 'http.method'],
  httpRoute: ['http.route'],
  rpcService: ['rpc.service'],
  rpcMethod: ['rpc.method'],
} as const;

/** Every span attribute key rollgraph keeps; others are dropped at ingest to save memory. */
export const SPAN_ATTRIBUTE_KEYS: ReadonlySet<string> = new Set(Object.values(ATTR).flat());

export const RESOURCE_ATTRIBUTE_KEYS: ReadonlySet<string> = new Set([
  RESOURCE.service,
  RESOURCE.version,
  ...RESOURCE.environment,
]);

/** The first present value among a logical field's names. */
export function pick(attributes: Readonly<Record<string, string>>, names: readonly string[]): string | undefined {
  for (const name of names) {
    const v = attributes[name];
    if (v !== undefined) return v;
  }
  return undefined;
}

/**
 * `db.system` values renamed in `db.system.name` (semantic conventions 1.30): the old spelling
 * is mapped so one database seen through old and new SDKs is one node.
 */
export const DB_SYSTEM_RENAMES: Readonly<Record<string, string>> = {
  mssql: 'microsoft.sql_server',
  oracle: 'oracle.db',
  db2: 'ibm.db2',
  dynamodb: 'aws.dynamodb',
  cosmosdb: 'azure.cosmosdb',
  h2: 'h2database',
};
