// Imported before the AWS SDK: it warns once per load that Node 20 support ends in
// 2027; the function runs on nodejs22.x, and the tests load the SDK many times over.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
