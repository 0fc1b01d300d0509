// npm scripts run under the Node pinned as the devDependency `node`; say which one.
console.log(`Node ${process.version} (${process.execPath})`);
if (Number(process.versions.node.split(".")[0]) < 22) {
  console.error("Node 22+ is required: run through npm so that node_modules/.bin/node is used.");
  process.exit(1);
}
