/**
 * Errors shaped as the AWS SDK v3 deserializes them: `name` is the service's error code,
 * `$fault` and `$metadata.httpStatusCode` as on a real ServiceException.
 */
export type AwsError = Error & { $fault: 'client' | 'server'; $metadata: { httpStatusCode: number } };

export function awsError(name: string, message: string, status = 400): AwsError {
  return Object.assign(new Error(message), { name, $fault: status >= 500 ? ('server' as const) : ('client' as const), $metadata: { httpStatusCode: status } });
}

/**
 * Services on the AWS Query protocol (CloudFormation, ELBv2, Auto Scaling, CloudWatch, STS) name
 * an authorization failure `AccessDenied`; the JSON and REST-JSON services (ECS, DynamoDB,
 * Application Auto Scaling, ECR, Lambda, Scheduler, SSM) `AccessDeniedException`.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/CommonErrors.html
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/CommonErrors.html
 */
const QUERY_PROTOCOL = new Set(['cloudformation', 'elasticloadbalancing', 'autoscaling', 'cloudwatch', 'sts']);

export function accessDenied(service: string, operation: string, principal: string, resource = '*'): AwsError {
  const name = QUERY_PROTOCOL.has(service) ? 'AccessDenied' : 'AccessDeniedException';
  return awsError(name, `User: ${principal} is not authorized to perform: ${service}:${operation} on resource: ${resource} because no identity-based policy allows the ${service}:${operation} action`, 403);
}

/**
 * A request that never got an answer. The SDK's node HTTP handler rejects with an error named
 * `TimeoutError` when its connection or request timeout fires.
 * https://github.com/smithy-lang/smithy-typescript/blob/main/packages/node-http-handler/src/set-connection-timeout.ts
 */
export function timeoutError(): Error {
  return Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError' });
}
