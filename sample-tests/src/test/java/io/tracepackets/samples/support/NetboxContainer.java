package io.tracepackets.samples.support;

import com.github.dockerjava.api.exception.NotFoundException;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.utility.DockerImageName;

/**
 * The library's {@link io.tracepackets.testing.NetboxContainer} from the samples' own image
 * {@value #IMAGE}, built by {@code scripts/images/build}: the same services, with both iptables
 * variants, {@code nft} and {@code ip} in it, so a sample can choose the variant its rules go
 * through.
 * <p>
 * The image is never pulled (no registry is reachable): a missing one fails at once.
 */
public class NetboxContainer extends io.tracepackets.testing.NetboxContainer {

	public static final String IMAGE = "tracepackets/netbox:local";

	/** Which iptables backend a rule goes through: both hook netfilter, at different places. */
	public enum IptablesVariant {
		/** {@code iptables-nft}: rules become nf_tables expressions (Debian's default). */
		NFT("iptables-nft"),
		/** {@code iptables-legacy}: the x_tables kernel tables. */
		LEGACY("iptables-legacy");

		private final String command;

		IptablesVariant(String command) {
			this.command = command;
		}

		public String command() {
			return command;
		}
	}

	public NetboxContainer() {
		this(IMAGE);
	}

	/** A netbox from another local tag, e.g. a variant image; it must exist locally too. */
	public NetboxContainer(String image) {
		super(DockerImageName.parse(image));
		// A pull could only fail, after minutes: a missing image must fail at once instead.
		withImagePullPolicy(name -> false);
	}

	@Override
	public NetboxContainer withExposedPorts(Integer... ports) {
		super.withExposedPorts(ports);
		return this;
	}

	@Override
	public void start() {
		requireLocalImage();
		super.start();
	}

	/**
	 * Runs {@code iptables-nft} or {@code iptables-legacy} with {@code args} inside the container
	 * and returns its stdout.
	 */
	public String iptables(IptablesVariant variant, String... args) {
		return variant == IptablesVariant.NFT ? iptables(args) : iptablesLegacy(args);
	}

	private void requireLocalImage() {
		String image = getDockerImageName();
		try {
			DockerClientFactory.instance().client().inspectImageCmd(image).exec();
		} catch (NotFoundException e) {
			throw new IllegalStateException("image " + image + " not found: run scripts/images/build"
					+ " (images are built locally; no registry is reachable)", e);
		}
	}
}
