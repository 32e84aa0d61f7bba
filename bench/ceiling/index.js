// The ceiling: the least a Worker can do per request in this runtime. It answers every request
// with one constant HTML page, built once per isolate, of BODY_BYTES bytes (the bench passes the
// product page's size), so that the shop's routes can be compared with it.
let page;

function build(size) {
  const head = '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Ceiling</title></head><body><main>';
  const tail = "</main></body></html>";
  const para = "<p>A constant page of the same size as the product page.</p>";
  let body = "";
  while (head.length + body.length + para.length + tail.length + 7 <= size) body += para;
  body += "<!--" + "x".repeat(Math.max(0, size - head.length - body.length - tail.length - 7)) + "-->";
  return head + body + tail;
}

export default {
  fetch(request, env) {
    if (page === undefined) page = build(Number(env.BODY_BYTES) || 5000);
    return new Response(page, { headers: { "content-type": "text/html; charset=utf-8" } });
  },
};
