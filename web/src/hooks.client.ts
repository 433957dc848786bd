// First of all, before any shared schema is defined: no eval in the browser.
import '@preau/protocol/browser';
