/*! htm 3.1.1 (preact/index.mjs) | Apache-2.0 | licenses/htm-3.1.1.txt | minified by tools/vendor.sh */
import{h as r,Component as o,render as e}from"./preact.js";export{h,render,Component}from"./preact.js";import t from"./htm.js";var m=t.bind(r);export{m as html};
