// Stands in for ssh2's wasm poly1305, which it builds as soon as it loads: workerd forbids
// compiling wasm at run time, and the SFTP source never offers chacha20-poly1305, its only user.
module.exports = () =>
  Promise.resolve({
    _malloc: () => 0,
    cwrap: () => () => {
      throw new Error("chacha20-poly1305 is not available in Workers.");
    },
  });
