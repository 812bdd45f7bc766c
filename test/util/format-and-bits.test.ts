import { test } from "node:test";
import assert from "node:assert/strict";
import { bitsToFloat, floatToBits } from "../../src/util/float-bits";
import { formatBytes, formatSeconds } from "../../src/util/format";
import { formatBytes as sweepFormatBytes, formatSeconds as sweepFormatSeconds } from "../../src/index";

// /usr/bin/python3 -c "import numpy as np; print(int(np.float32(1.5).view(np.uint32)),
//   int(np.float32(0.1).view(np.uint32)), float(np.uint32(0x7f7fffff).view(np.float32)), float(np.float32(0.1)))"
// -> 1069547520 1036831949 3.4028234663852886e+38 0.10000000149011612
test("float32 bit patterns match numpy's view", () => {
  assert.equal(floatToBits(1.5), 1069547520);
  assert.equal(floatToBits(0.1), 1036831949);
  assert.equal(bitsToFloat(0x7f7fffff), 3.4028234663852886e38);
  assert.equal(bitsToFloat(1036831949), 0.10000000149011612);
  assert.equal(bitsToFloat(floatToBits(-2.75)), -2.75);
});

test("formatBytes (decimal units) and formatSeconds; the public names are the util functions", () => {
  assert.equal(formatBytes(512), "512 B");
  assert.equal(formatBytes(166_000_000), "166 MB");
  assert.equal(formatBytes(2_100_000_000), "2.1 GB");
  assert.equal(formatSeconds(42), "42 s");
  assert.equal(formatSeconds(210), "3.5 min");
  assert.equal(formatSeconds(7560), "2.1 h");
  assert.equal(formatSeconds(Infinity), "?");
  assert.equal(sweepFormatBytes, formatBytes);
  assert.equal(sweepFormatSeconds, formatSeconds);
});
