// Docker's error body: every non-2xx answer of the Engine API carries {"message": "..."}.

import { Type, type Static } from '@sinclair/typebox';

export const ErrorResponseSchema = Type.Object({ message: Type.String() });

export type DockerErrorResponse = Static<typeof ErrorResponseSchema>;
