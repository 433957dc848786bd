// HAProxy (Debian's `haproxy`, 2.6) in front of Préau's nodes: the one
// configuration, rendered from the nodes' addresses. Used by the local
// cluster (`./preau cluster`, tests/support/cluster.ts); a deployment renders
// it once with its own addresses:
//   npx tsx deploy/haproxy.ts --listen 0.0.0.0:80 --web 10.0.0.11:3000,10.0.0.12:3000 \
//     --classroom 10.0.0.21:3100,10.0.0.22:3100 --docs 10.0.0.31:3001,10.0.0.32:3001 \
//     --socket /run/haproxy/preau.sock --maxconn 8000 [--threads N] > /etc/haproxy/haproxy.cfg

/** A node behind the balancer: its name (shown in `X-Preau-Node` and the log) and address. */
export interface BalancedNode {
  name: string;
  /** host:port */
  address: string;
}

/** What the configuration is rendered from. */
export interface BalancerOptions {
  /** host:port the balancer listens on. */
  listen: string;
  web: BalancedNode[];
  classroom: BalancedNode[];
  docs: BalancedNode[];
  /** The runtime API's Unix socket (draining a node: `set server web/web1 state drain`). */
  statsSocket: string;
  /** Where HAProxy logs one line per request (`stdout` in the foreground). */
  log?: string;
  /**
   * Connections at once (each takes two file descriptors, client and node):
   * 8,000 fits the usual limit of 20,000; raise both for a region's Monday morning.
   */
  maxConnections?: number;
  /**
   * HAProxy's threads (unset: one per CPU, HAProxy's default, for a balancer
   * on a machine of its own). The local cluster runs one: it shares two
   * cores with every node and the simulated clients, and with two threads
   * the fan-out p99 at 5,000 participants was 0.96–1.04 s, with one 0.51–0.65 s
   * (load-tests/README.md).
   */
  threads?: number;
}

/** The paths the balancer sends to each kind of node (the pages connect to these, same origin). */
export const BALANCER_ROUTES = {
  /** Live classes and spaces' chats (socket.io, CLASSROOM_SOCKET_PATH). */
  classroom: '/live/',
  /** Pads and boards (Hocuspocus, DOCS_WS_PATH). */
  docs: '/docs-ws/',
  /** The demo provider's round trip (its interactions live in the serving node's memory). */
  signIn: ['/oidc', '/auth/'],
} as const;

/** The backends of the configuration, for the runtime API. */
export type Backend = 'web' | 'web_signin' | 'classroom' | 'docs';

/** The response header naming the node that served a request. */
export const NODE_HEADER = 'x-preau-node';

const ADDRESS = /^[A-Za-z0-9.:[\]-]+:\d{1,5}$/;
const NAME = /^[a-z][a-z0-9-]*$/;

/** Renders haproxy.cfg for these nodes. */
export function renderHaproxyConfig(opts: BalancerOptions): string {
  for (const node of [...opts.web, ...opts.classroom, ...opts.docs]) {
    if (!NAME.test(node.name) || !ADDRESS.test(node.address)) {
      throw new Error(`bad node ${JSON.stringify(node)}: a name [a-z0-9-] and a host:port`);
    }
  }
  if (!ADDRESS.test(opts.listen)) throw new Error(`bad listen address ${opts.listen}`);
  const servers = (nodes: BalancedNode[], extra: (n: BalancedNode) => string = () => '') =>
    nodes.map((n) => `  server ${n.name} ${n.address} check${extra(n)}`).join('\n');
  return `# Rendered by deploy/haproxy.ts: edit that module, not this file.
global
  log ${opts.log ?? 'stdout'} format raw local0 info
  # The runtime API: drain a node with \`set server <backend>/<node> state drain\`.
  stats socket ${opts.statsSocket} mode 600 level admin
  maxconn ${opts.maxConnections ?? 8000}${opts.threads ? `\n  nbthread ${opts.threads}` : ''}

defaults
  mode http
  log global
  option httplog
  option dontlognull
  # A request whose node refused it, or died before answering a page load
  # (GET/HEAD only: an act is never sent twice), is sent to another one.
  option redispatch 1
  retries 3
  retry-on conn-failure empty-response response-timeout
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  timeout http-request 10s
  timeout http-keep-alive 10s
  timeout queue 10s
  # An upgraded WebSocket lives for a lesson; socket.io and Hocuspocus ping well within this.
  timeout tunnel 2h
  timeout client-fin 5s
  # Checked every second, out after two failures (a killed node is left within ~2 s), back after two successes.
  # Live traffic is watched too: three connections in a row refused make the
  # node's checks run every 200 ms, so a killed node is out within about half a
  # second (leastconn would send its reconnecting clients to it, having no
  # connection left). Not out at once on such errors: a live node flooded by a
  # dead one's clients refuses some too, and that took out the last classroom
  # node standing in a 5,000-participant test; it stays in while it answers checks.
  default-server inter 1s fastinter 200ms fall 2 rise 2 observe layer4 error-limit 3 on-error fastinter
  # A dead node refuses the check at once; a busy one may take a while to answer it,
  # and is not taken out for that (with the default, the check's 1 s, a CPU-starved
  # machine saw every classroom node out at once, and every new connection refused).
  timeout check 3s

frontend preau
  bind ${opts.listen}
  http-request disable-l7-retry unless METH_GET
  # The node that served, for tests and for whoever reads a response.
  http-response set-header X-Preau-Node %[srv_name]
  acl live path_beg ${BALANCER_ROUTES.classroom}
  acl docs path_beg ${BALANCER_ROUTES.docs}
  acl signin path_beg ${BALANCER_ROUTES.signIn.join(' ')}
  use_backend classroom if live
  use_backend docs if docs
  use_backend web_signin if signin
  default_backend web

# Pages, API, JWKS: any node (they keep no state of their own).
backend web
  balance roundrobin
  option httpchk GET /healthz
  http-check expect status 200
${servers(opts.web)}

# The demo provider's sign-in keeps its interactions in the serving node's
# memory: one sign-in's round trip stays on one node (a cookie), and follows
# the web backend's health and drain state.
backend web_signin
  balance roundrobin
  cookie preau_signin_node insert indirect nocache httponly
${opts.web.map((n) => `  server ${n.name} ${n.address} track web/${n.name} cookie ${n.name}`).join('\n')}

# Live classes and spaces' chats: WebSocket first; socket.io's long-polling
# fallback needs every request of one connection on one node (a cookie).
backend classroom
  balance leastconn
  cookie preau_live_node insert indirect nocache httponly
  option httpchk GET /healthz
  http-check expect status 200
${servers(opts.classroom, (n) => ` cookie ${n.name}`)}

# Pads and boards: WebSocket only.
backend docs
  balance leastconn
  option httpchk GET /healthz
  http-check expect status 200
${servers(opts.docs)}
`;
}

/** Parses `--name a:1,b:2` lists into nodes named `<kind><i>`. */
function nodesOf(kind: string, list: string | undefined): BalancedNode[] {
  return (list ?? '')
    .split(',')
    .filter(Boolean)
    .map((address, i) => ({ name: `${kind}${i + 1}`, address }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = new Map<string, string>();
  for (let i = 2; i < process.argv.length; i += 2) {
    args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
  }
  process.stdout.write(
    renderHaproxyConfig({
      listen: args.get('listen') ?? '127.0.0.1:8080',
      web: nodesOf('web', args.get('web')),
      classroom: nodesOf('classroom', args.get('classroom')),
      docs: nodesOf('docs', args.get('docs')),
      statsSocket: args.get('socket') ?? '/run/haproxy/preau.sock',
      log: args.get('log') ?? '/dev/log',
      maxConnections: Number(args.get('maxconn') ?? 8000),
      threads: args.has('threads') ? Number(args.get('threads')) : undefined,
    }),
  );
}
