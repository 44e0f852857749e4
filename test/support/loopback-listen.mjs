// Preloaded (node --import) into the Portkey gateway's process by
// portkey-gateway.ts. The gateway's start-server.js calls serve({ port }) with
// no host, which listens on every interface; a test must not open a port to
// the network, and a fixed port races other tests. So the first listen() is
// redirected to 127.0.0.1 on an ephemeral port, and the port actually bound is
// sent to the parent over IPC.
import net from 'node:net';

const original = net.Server.prototype.listen;
let redirected = false;

net.Server.prototype.listen = function listen(...args) {
  if (redirected) return original.apply(this, args);
  redirected = true;
  this.once('listening', () => {
    const address = this.address();
    if (process.send && address && typeof address === 'object') process.send({ gatewayPort: address.port });
  });
  const callback = args.find((a) => typeof a === 'function');
  return original.call(this, { port: 0, host: '127.0.0.1' }, callback);
};
