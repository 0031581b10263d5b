/**
 * The number of bytes `text` takes in UTF-8, as `TextEncoder` writes it (a lone surrogate is
 * U+FFFD, 3 bytes), without encoding it.
 *
 * @example
 * utf8Length('é€😀'); // 2 + 3 + 4 = 9
 */
export function utf8Length(text: string): number {
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) length += 1;
    else if (c < 0x800) length += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      length += 4;
      i++;
    } else length += 3;
  }
  return length;
}
