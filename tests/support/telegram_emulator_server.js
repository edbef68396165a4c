#!/usr/bin/env node
// Start telegram-test-api (installed by scripts/install-tools into .tools/) on a loopback port.
//
// Why a launcher: the package's own `npm start` needs a config file in its git checkout, and its
// config treats port 0 as "use 9000" (`config.port || 9000`), so we cannot ask it for a free port.
// This script builds the server, then asks the OS for a free port by listening on 0, and prints
// `LISTENING <port>` on stdout so the Python fixture knows where it is. It stops on SIGTERM/SIGINT
// or when stdin closes (so a crashed pytest never leaves it behind).
'use strict';

const path = require('path');

const toolsDir = process.env.WTFC_TOOLS_DIR || path.resolve(__dirname, '..', '..', '.tools');
const TelegramServer = require(path.join(toolsDir, 'node_modules', 'telegram-test-api'));

async function main() {
  // storeTimeout in seconds: long enough that nothing a test sent expires mid-session.
  const server = new TelegramServer({ host: '127.0.0.1', port: 9000, storeTimeout: 3600 });
  server.config.port = 0; // after normalizeConfig, so the OS picks a free port.
  await server.start();
  const { port } = server.server.address();
  process.stdout.write(`LISTENING ${port}\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.stop();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
}

main().catch((error) => {
  process.stderr.write(`telegram-test-api failed to start: ${error.stack || error}\n`);
  process.exit(1);
});
