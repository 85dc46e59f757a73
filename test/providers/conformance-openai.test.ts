// The shared adapter conformance suite, run against the openai fake upstream (one file per
// protocol so the suites run in parallel).
import { describeConformance } from "./conformance-suite.js";
import { openAIProtocol } from "./protocols.js";

describeConformance(openAIProtocol);
