import { ConfigError, loadConfig, SETTINGS } from '../constructs/config';

describe('Configuration', () => {
  it('takes the tutorial names and safe defaults when nothing is set', () => {
    expect(loadConfig({})).toEqual({
      region: 'us-east-2',
      tableName: 'lambda-apigateway',
      tableDeletionProtection: true,
      functionName: 'LambdaFunctionOverHttps',
      functionMemoryMb: 256,
      functionTimeoutSeconds: 10,
      roleName: 'lambda-apigateway-role',
      logRetentionDays: 14,
      logLevel: 'INFO',
      apiName: 'DynamoDBOperations',
      stageName: 'prod',
      handlerPackaging: 'archive',
      apiAuthorization: 'NONE',
      apiThrottleRateLimit: 100,
      apiThrottleBurstLimit: 200,
      apiRequestValidation: true,
      tracing: false,
      apiAccessLogs: false,
      stateKey: 'lambda-apigateway/terraform.tfstate',
    });
  });

  it('reads every setting from its variable', () => {
    const config = loadConfig({
      AWS_REGION: 'eu-west-1',
      TABLE_NAME: 'items',
      TABLE_DELETION_PROTECTION: 'false',
      FUNCTION_NAME: 'Items',
      FUNCTION_MEMORY_MB: '512',
      FUNCTION_TIMEOUT_SECONDS: '28',
      ROLE_NAME: 'items-role',
      LOG_RETENTION_DAYS: '30',
      LOG_LEVEL: 'WARN',
      API_NAME: 'Items API',
      STAGE_NAME: 'v1',
      HANDLER_PACKAGING: 'asset',
    });
    expect(config).toMatchObject({
      region: 'eu-west-1',
      tableDeletionProtection: false,
      functionMemoryMb: 512,
      functionTimeoutSeconds: 28,
      logRetentionDays: 30,
      logLevel: 'WARN',
      apiName: 'Items API',
      stageName: 'v1',
      handlerPackaging: 'asset',
    });
  });

  it.each([
    ['AWS_REGION', 'Ohio', 'an AWS region name'],
    ['AWS_REGION', 'us-east-2 ', 'an AWS region name'],
    ['STAGE_NAME', 'my stage', 'A-Z a-z 0-9 _ -'],
    ['LOG_RETENTION_DAYS', '10', "one of CloudWatch Logs' periods: 1, 3, 5, 7, 14"],
    ['LOG_RETENTION_DAYS', '14.0', "one of CloudWatch Logs' periods"],
    ['HANDLER_PACKAGING', 'zip', 'archive or asset'],
    ['LOG_LEVEL', 'warn', 'TRACE, DEBUG, INFO, WARN, ERROR or FATAL'],
    ['LOG_LEVEL', 'VERBOSE', 'TRACE, DEBUG, INFO, WARN, ERROR or FATAL'],
    ['TABLE_DELETION_PROTECTION', 'yes', 'true or false'],
    ['FUNCTION_TIMEOUT_SECONDS', '29', 'from 1 to 28'],
    ['FUNCTION_MEMORY_MB', '64', 'from 128 to 10240'],
    ['TABLE_NAME', 'ab', '3 to 255 characters'],
    ['FUNCTION_NAME', 'a/b', '1 to 64 characters'],
    ['ROLE_NAME', 'role name', '1 to 64 characters'],
    ['API_NAME', ' padded', 'not starting or ending with a space'],
    ['API_AUTHORIZATION', 'COGNITO', 'NONE, AWS_IAM or API_KEY'],
    ['API_THROTTLE_RATE_LIMIT', '-1', 'from 1 to 10000'],
    ['API_THROTTLE_BURST_LIMIT', '1e3', 'from 1 to 5000'],
    ['API_REQUEST_VALIDATION', 'on', 'true or false'],
    ['TRACING', '1', 'true or false'],
    ['TF_STATE_REGION', 'mars-1', 'an AWS region name'],
    ['TF_STATE_KEY', '/abs/key', 'not starting with /'],
    ['API_CORS_ORIGINS', 'https://app.example.com/', 'with no path, no trailing slash'],
    ['API_CORS_ORIGINS', '*,https://app.example.com', '* (any origin) or a comma-separated list of distinct origins'],
    ['API_CORS_ORIGINS', 'https://a.example,,https://b.example', 'a comma-separated list of distinct origins'],
  ])('refuses %s=%j, naming the variable, the value and what is allowed', (variable, value, allowed) => {
    const load = () => loadConfig({ [variable]: value });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(`${variable}=${JSON.stringify(value)} is not valid: expected`);
    expect(load).toThrow(allowed);
  });

  it('documents a default that is itself valid for every setting that has one', () => {
    for (const setting of Object.values(SETTINGS)) {
      if ('defaultValue' in setting) expect(setting.parse(setting.defaultValue)).not.toBeUndefined();
    }
  });

  it('leaves remote state off unless TF_STATE_BUCKET is set', () => {
    const config = loadConfig({});
    expect(config.stateBucket).toBeUndefined();
    expect(config.stateLockTable).toBeUndefined();
    expect(loadConfig({ TF_STATE_BUCKET: 'my-state' })).toMatchObject({ stateBucket: 'my-state', stateKey: 'lambda-apigateway/terraform.tfstate' });
  });

  it('leaves CORS off unless API_CORS_ORIGINS is set, and reads `*` or a list of origins, spaces after commas allowed', () => {
    expect(loadConfig({}).apiCorsOrigins).toBeUndefined();
    expect(loadConfig({ API_CORS_ORIGINS: '*' }).apiCorsOrigins).toEqual(['*']);
    expect(loadConfig({ API_CORS_ORIGINS: 'https://app.example.com, http://localhost:5173' }).apiCorsOrigins).toEqual(['https://app.example.com', 'http://localhost:5173']);
  });

  it('says, for a bad list of origins, the whole value, what an origin looks like, and how to turn CORS off', () => {
    expect(() => loadConfig({ API_CORS_ORIGINS: 'https://app.example.com,http://localhost:3000/' })).toThrow(
      'API_CORS_ORIGINS="https://app.example.com,http://localhost:3000/" is not valid: expected * (any origin) or a comma-separated list of distinct origins, each scheme://host[:port] in lowercase, with no path, no trailing slash and no default port (:80 for http, :443 for https), as browsers send it, for example https://app.example.com or http://localhost:5173. Unset it to turn it off.',
    );
  });

  it('tells how to turn an optional setting off when its value is bad', () => {
    expect(() => loadConfig({ TF_STATE_BUCKET: 'My_Bucket' })).toThrow(
      'TF_STATE_BUCKET="My_Bucket" is not valid: expected an S3 bucket name: 3 to 63 characters from a-z 0-9 . -, starting and ending with a letter or digit. Unset it to turn it off.',
    );
  });
});
