import Foundation

/// Each consumer service with a webhook has a signing secret, itself a rotor-managed secret.
///
/// Its id is `webhooks/<service>`. When `secrets/webhooks/<service>.yaml` exists it is used
/// as written; otherwise the spec loader adds one with the `webhook-signing` policy, or
/// ``builtInPolicy`` when the repository has no such policy. Its value is
/// `whsec_<base64 of 32 random bytes>`: the HMAC key is the raw bytes.
public enum WebhookSigningSecret {
    /// The project signing secrets live in.
    public static let project = "webhooks"
    /// The policy signing secrets use when the repository declares it.
    public static let policyName = "webhook-signing"

    /// The id of `service`'s signing secret.
    public static func secretID(for service: String) -> SecretID { SecretID(project: project, name: service) }

    /// The generator of the built-in policy: 32 random bytes, base64, prefixed `whsec_`.
    public static let generator = GeneratorSpec(kind: .base64, length: 32, prefix: "whsec_")

    /// The policy used when the repository has no `policies/webhook-signing.yaml`: rotate every
    /// 90 days, both secrets valid for 72 hours after a rotation, warn 12 hours before that ends.
    public static let builtInPolicy = Policy(name: policyName, location: SourceLocation(path: "(built-in policy webhook-signing)"),
                                             rotateEvery: RotorDuration(seconds: 90 * 86_400),
                                             gracePeriod: RotorDuration(seconds: 72 * 3_600),
                                             warnBefore: RotorDuration(seconds: 12 * 3_600), generator: generator)
}
