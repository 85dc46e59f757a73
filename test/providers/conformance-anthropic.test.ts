// The shared adapter conformance suite, run against the anthropic fake upstream (one file per
// protocol so the suites run in parallel).
import { describeConformance } from "./conformance-suite.js";
import { anthropicProtocol } from "./protocols.js";

describeConformance(anthropicProtocol);
