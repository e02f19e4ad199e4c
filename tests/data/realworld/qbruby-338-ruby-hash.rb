{:message=>"message=ThrottleExceeded; errorCode=003001; statusCode=403",
 :detail=>"The request limit was reached.  Try again later",
 :type=>"SERVICE",
 :code=>"3001",
 :element=>"3001"}
