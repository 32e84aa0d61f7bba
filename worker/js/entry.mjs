// The Worker's JavaScript entry point, bundled around wasm-bindgen's glue by
// scripts/build-worker.sh (in place of worker-build's shim).
//
// What it keeps from worker-build's shim: a Rust panic (a wasm trap) marks the instance
// critical, and the next call starts a fresh one (`__wbg_reset_state`); a Durable Object made
// before that is made again on its next call, from its storage.
// What it leaves out: worker-build constructs a `WorkerEntrypoint` per request and wraps it,
// and every method read from it, in new `Proxy` objects. Here a request is one plain call into
// the wasm's `fetch`, and an object's method one call through a small wrapper class.
import * as wasm from "./index.js";

const state = wasm.__worker_init_state();

function restartIfCritical() {
  if (state.criticalError) {
    console.log("Reinitializing Wasm application");
    wasm.__wbg_reset_state();
    state.criticalError = false;
    state.instanceId++;
  }
}

function noteCritical(error) {
  if (error instanceof WebAssembly.RuntimeError) {
    console.error("Critical", error);
    state.criticalError = true;
  }
}

addEventListener("error", (event) => noteCritical(event.error));

// The `worker` crate reads `request.cf` while converting every request, and the runtime builds
// that object anew on each read: it was the largest single cost of serving a cached page. Each
// request gets `cf` hidden by an own property before it reaches the wasm; the shop needs only
// the visitor's country, on few routes, and reads it through the runtime's own getter.
const cfGetter = Object.getOwnPropertyDescriptor(Request.prototype, "cf")?.get;

function withoutCf(request) {
  if (cfGetter) {
    try {
      Object.defineProperty(request, "cf", { value: undefined });
    } catch {
      // A request that cannot take the property keeps its `cf`: slower, not wrong.
    }
  }
  return request;
}

globalThis.__storefrontCountry = (request) => {
  const cf = cfGetter ? cfGetter.call(request) : request.cf;
  return cf?.country;
};

// A call into the wasm: a trap marks the instance critical before it reaches the runtime. A
// trap inside a future polled later is thrown from a microtask and seen by the listener above.
function guarded(call) {
  restartIfCritical();
  try {
    return call();
  } catch (error) {
    noteCritical(error);
    throw error;
  }
}

export default {
  fetch(request, env, ctx) {
    return guarded(() => wasm.fetch(withoutCf(request), env, ctx));
  },
};

// A Durable Object class of the wasm, with its instance made again after a restart.
function durableObject(Inner) {
  return class {
    constructor(ctx, env) {
      this.ctx = ctx;
      this.env = env;
      this.made = -1;
      this.inner = null;
      guarded(() => this.current());
    }

    current() {
      if (this.made !== state.instanceId) {
        this.inner = new Inner(this.ctx, this.env);
        this.made = state.instanceId;
      }
      return this.inner;
    }

    fetch(request) {
      return guarded(() => this.current().fetch(withoutCf(request)));
    }

    alarm(info) {
      return guarded(() => this.current().alarm(info));
    }
  };
}

export const CartObject = durableObject(wasm.CartObject);
export const InventoryObject = durableObject(wasm.InventoryObject);
export const OrderObject = durableObject(wasm.OrderObject);
export const CatalogObject = durableObject(wasm.CatalogObject);
export const OrderIndexObject = durableObject(wasm.OrderIndexObject);
export const DiscountObject = durableObject(wasm.DiscountObject);
