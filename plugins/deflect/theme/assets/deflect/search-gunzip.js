/* Deflect search, the gzip fallback: a hand-written inflate (RFC 1952, 1951; canonical Huffman
 * decoding as in zlib's puff.c) for the browsers without DecompressionStream (Safari before 16.4,
 * Firefox before 113). search-index.js imports it only there, so other browsers never download it. */
var LEN_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163,
  195, 227, 258];
var LEN_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
var DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049,
  3073, 4097, 6145, 8193, 12289, 16385, 24577];
var DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
var CODE_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

function huffman(lengths) {
  var counts = new Uint16Array(16), offsets = new Uint16Array(16), symbols = new Uint16Array(lengths.length), i;
  for (i = 0; i < lengths.length; i++) counts[lengths[i]]++;
  counts[0] = 0;
  for (i = 1; i < 16; i++) offsets[i] = offsets[i - 1] + counts[i - 1];
  for (i = 0; i < lengths.length; i++) if (lengths[i]) symbols[offsets[lengths[i]]++] = i;
  return { counts: counts, symbols: symbols };
}

export function gunzip(bytes) {
  var n = bytes.length, flags = bytes[3], at = 10, bitBuf = 0, bitCount = 0;
  if (flags & 4) at += 2 + (bytes[10] | bytes[11] << 8);
  if (flags & 8) while (bytes[at++]);
  if (flags & 16) while (bytes[at++]);
  if (flags & 2) at += 2;
  var out = new Uint8Array((bytes[n - 4] | bytes[n - 3] << 8 | bytes[n - 2] << 16 | bytes[n - 1] << 24) >>> 0), o = 0;
  function bits(count) {
    while (bitCount < count) {
      if (at >= n) throw new Error("truncated gzip data");
      bitBuf |= bytes[at++] << bitCount; bitCount += 8;
    }
    var value = bitBuf & ((1 << count) - 1);
    bitBuf >>>= count; bitCount -= count;
    return value;
  }
  function decode(h) {
    for (var len = 1, code = 0, first = 0, index = 0; len < 16; len++) {
      code |= bits(1);
      var count = h.counts[len];
      if (code - first < count) return h.symbols[index + code - first];
      index += count; first = (first + count) << 1; code <<= 1;
    }
    throw new Error("bad gzip data");
  }
  var last, i;
  do {
    last = bits(1);
    var type = bits(2), lit, dist;
    if (type === 0) {
      bitBuf = bitCount = 0;
      var stored = bytes[at] | bytes[at + 1] << 8;
      out.set(bytes.subarray(at + 4, at + 4 + stored), o);
      at += 4 + stored; o += stored;
      continue;
    }
    if (type === 1) {
      var fixed = new Uint8Array(288);
      for (i = 0; i < 288; i++) fixed[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
      lit = huffman(fixed);
      dist = huffman(new Uint8Array(30).fill(5));
    } else if (type === 2) {
      var nLit = bits(5) + 257, nDist = bits(5) + 1, nCode = bits(4) + 4;
      var codeLengths = new Uint8Array(19);
      for (i = 0; i < nCode; i++) codeLengths[CODE_ORDER[i]] = bits(3);
      var codes = huffman(codeLengths), lengths = new Uint8Array(nLit + nDist);
      for (i = 0; i < nLit + nDist;) {
        var sym = decode(codes);
        if (sym < 16) { lengths[i++] = sym; continue; }
        var repeat = sym === 16 ? 3 + bits(2) : sym === 17 ? 3 + bits(3) : 11 + bits(7);
        var value = sym === 16 ? lengths[i - 1] : 0;
        while (repeat--) lengths[i++] = value;
      }
      lit = huffman(lengths.subarray(0, nLit));
      dist = huffman(lengths.subarray(nLit));
    } else {
      throw new Error("bad gzip data");
    }
    for (;;) {
      var s = decode(lit);
      if (s < 256) { out[o++] = s; continue; }
      if (s === 256) break;
      s -= 257;
      var length = LEN_BASE[s] + bits(LEN_EXTRA[s]), d = decode(dist);
      var from = o - DIST_BASE[d] - bits(DIST_EXTRA[d]);
      while (length--) out[o++] = out[from++];
    }
  } while (!last);
  return out.subarray(0, o);
}
