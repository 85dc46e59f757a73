// The shared adapter conformance suite, run against the gemini fake upstream (one file per
// protocol so the suites run in parallel).
import { describeConformance } from "./conformance-suite.js";
import { geminiProtocol } from "./protocols.js";

describeConformance(geminiProtocol);
