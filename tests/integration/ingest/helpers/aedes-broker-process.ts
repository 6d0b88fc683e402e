// An aedes broker in its own process, for machines without mosquitto: aedes inside the test's
// process would share its event loop with the client under test (latency reaches ~1 s, FACTS.md).
import { Aedes } from 'aedes';
import { createServer } from 'node:net';

const port = Number(process.argv[2]);
const broker = await Aedes.createBroker();
const server = createServer(broker.handle);
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  broker.close(() => process.exit(0));
});
