// Starts AWS's DynamoDB Local listening on one address only (Larder passes 127.0.0.1).
//
// DynamoDB Local has no host option: its DynamoDBProxyServer builds a Jetty Server(port), which
// listens on every interface, so anyone on the network could read and write the tables. This
// launcher builds the same server from the same command line (ServerRunner), sets the host of its
// Jetty connectors, then starts it. Reflection keeps it independent of the Jetty version bundled.
//
// Usage: java -cp DynamoDBLocal.jar:<dir of this class> LarderDynamoDbLocal HOST [DynamoDB Local options]
import java.lang.reflect.Field;
import java.util.Arrays;

public class LarderDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    String host = args[0];
    String[] options = Arrays.copyOfRange(args, 1, args.length);
    Class<?> runner = Class.forName("software.amazon.dynamodb.services.local.main.ServerRunner");
    Object proxy = runner.getMethod("createServerFromCommandLineArgs", String[].class).invoke(null, (Object) options);
    Field field = proxy.getClass().getDeclaredField("server");
    field.setAccessible(true);
    Object jetty = field.get(proxy);
    Object[] connectors = (Object[]) jetty.getClass().getMethod("getConnectors").invoke(jetty);
    if (connectors.length == 0) throw new IllegalStateException("DynamoDB Local's Jetty server has no connector to bind");
    for (Object connector : connectors) connector.getClass().getMethod("setHost", String.class).invoke(connector, host);
    proxy.getClass().getMethod("start").invoke(proxy);
    System.err.println("larder: DynamoDB Local listening on " + host);
  }
}
