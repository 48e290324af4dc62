/**
 * `npm run build`: bundles the Lambda handler into its deterministic zip and the chat page into
 * `frontend/dist`, the two artefacts Terraform uploads and the local stack serves.
 */
import { buildFrontend } from './build-frontend.ts';
import { buildLambda } from './build-lambda.ts';

await buildLambda();
await buildFrontend();
