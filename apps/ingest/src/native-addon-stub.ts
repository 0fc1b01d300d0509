// Stands in for the native addons ssh2 loads optionally (cpu-features, sshcrypto.node): loading
// it throws, which ssh2 catches and answers by using its pure-JavaScript code.
throw new Error("Native addons are not available in Workers.");
