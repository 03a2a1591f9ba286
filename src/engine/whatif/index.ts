export { whatIfBoot, runWhatIf, ramOfBoot, mergeBlocks, type WhatIfOptions, type WhatIfResult, type WhatIfRequestRow, type WhatIfReservationRow, type WhatIfNodeRow, type CmdlineOutcome } from './whatif';
export { requestStream, requestOf, type StreamOp } from './stream';
export { parseLayout, parseSize, evenLayout, formatLayout, LayoutError, type LayoutSpec } from './layout';
export { parseWhatIfCmdline, crashkernelSize, type WhatIfParam } from './cmdline';
export { whatIfJson, formatWhatIf, WHATIF_SCHEMA, WHATIF_SCHEMA_VERSION } from './json';
