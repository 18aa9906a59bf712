package io.tracepackets;

import java.util.Map;
import java.util.Optional;

/**
 * Linux's error numbers (x86-64 and arm64 share them), for the values kernel functions return: a
 * function that fails returns one negated, {@code -EHOSTUNREACH}. The constants are those a packet's
 * path returns; {@link #name(int)} knows every number the kernel's errno headers define.
 *
 * <pre>{@code
 * import static io.tracepackets.KernelErrno.EHOSTUNREACH;
 * assertThat(trace).packets(icmp().dst("10.0.0.9")).returned("ip_route_input_noref", -EHOSTUNREACH);
 * }</pre>
 */
public final class KernelErrno {

	/** 1: operation not permitted. */
	public static final int EPERM = 1;
	/** 2: no such file or directory. */
	public static final int ENOENT = 2;
	/** 11: resource temporarily unavailable. */
	public static final int EAGAIN = 11;
	/** 12: cannot allocate memory. */
	public static final int ENOMEM = 12;
	/** 13: permission denied. */
	public static final int EACCES = 13;
	/** 14: bad address. */
	public static final int EFAULT = 14;
	/** 16: device or resource busy. */
	public static final int EBUSY = 16;
	/** 17: file exists. */
	public static final int EEXIST = 17;
	/** 18: invalid cross-device link. */
	public static final int EXDEV = 18;
	/** 19: no such device. */
	public static final int ENODEV = 19;
	/** 22: invalid argument. */
	public static final int EINVAL = 22;
	/** 28: no space left on device. */
	public static final int ENOSPC = 28;
	/** 32: broken pipe. */
	public static final int EPIPE = 32;
	/** 40: too many levels of symbolic links. */
	public static final int ELOOP = 40;
	/** 71: protocol error. */
	public static final int EPROTO = 71;
	/** 90: message too long. */
	public static final int EMSGSIZE = 90;
	/** 95: operation not supported. */
	public static final int EOPNOTSUPP = 95;
	/** 98: address already in use. */
	public static final int EADDRINUSE = 98;
	/** 99: cannot assign requested address. */
	public static final int EADDRNOTAVAIL = 99;
	/** 100: network is down. */
	public static final int ENETDOWN = 100;
	/** 101: network is unreachable. */
	public static final int ENETUNREACH = 101;
	/** 105: no buffer space available. */
	public static final int ENOBUFS = 105;
	/** 107: transport endpoint is not connected. */
	public static final int ENOTCONN = 107;
	/** 110: connection timed out. */
	public static final int ETIMEDOUT = 110;
	/** 111: connection refused. */
	public static final int ECONNREFUSED = 111;
	/** 112: host is down. */
	public static final int EHOSTDOWN = 112;
	/** 113: no route to host. */
	public static final int EHOSTUNREACH = 113;

	/** The highest error a kernel function returns as {@code -errno} (MAX_ERRNO, include/linux/err.h). */
	public static final int MAX_ERRNO = 4095;

	private static final Map<Integer, String> NAMES = Map.ofEntries(
			Map.entry(1, "EPERM"),
			Map.entry(2, "ENOENT"),
			Map.entry(3, "ESRCH"),
			Map.entry(4, "EINTR"),
			Map.entry(5, "EIO"),
			Map.entry(6, "ENXIO"),
			Map.entry(7, "E2BIG"),
			Map.entry(8, "ENOEXEC"),
			Map.entry(9, "EBADF"),
			Map.entry(10, "ECHILD"),
			Map.entry(11, "EAGAIN"),
			Map.entry(12, "ENOMEM"),
			Map.entry(13, "EACCES"),
			Map.entry(14, "EFAULT"),
			Map.entry(15, "ENOTBLK"),
			Map.entry(16, "EBUSY"),
			Map.entry(17, "EEXIST"),
			Map.entry(18, "EXDEV"),
			Map.entry(19, "ENODEV"),
			Map.entry(20, "ENOTDIR"),
			Map.entry(21, "EISDIR"),
			Map.entry(22, "EINVAL"),
			Map.entry(23, "ENFILE"),
			Map.entry(24, "EMFILE"),
			Map.entry(25, "ENOTTY"),
			Map.entry(26, "ETXTBSY"),
			Map.entry(27, "EFBIG"),
			Map.entry(28, "ENOSPC"),
			Map.entry(29, "ESPIPE"),
			Map.entry(30, "EROFS"),
			Map.entry(31, "EMLINK"),
			Map.entry(32, "EPIPE"),
			Map.entry(33, "EDOM"),
			Map.entry(34, "ERANGE"),
			Map.entry(35, "EDEADLK"),
			Map.entry(36, "ENAMETOOLONG"),
			Map.entry(37, "ENOLCK"),
			Map.entry(38, "ENOSYS"),
			Map.entry(39, "ENOTEMPTY"),
			Map.entry(40, "ELOOP"),
			Map.entry(42, "ENOMSG"),
			Map.entry(43, "EIDRM"),
			Map.entry(44, "ECHRNG"),
			Map.entry(45, "EL2NSYNC"),
			Map.entry(46, "EL3HLT"),
			Map.entry(47, "EL3RST"),
			Map.entry(48, "ELNRNG"),
			Map.entry(49, "EUNATCH"),
			Map.entry(50, "ENOCSI"),
			Map.entry(51, "EL2HLT"),
			Map.entry(52, "EBADE"),
			Map.entry(53, "EBADR"),
			Map.entry(54, "EXFULL"),
			Map.entry(55, "ENOANO"),
			Map.entry(56, "EBADRQC"),
			Map.entry(57, "EBADSLT"),
			Map.entry(59, "EBFONT"),
			Map.entry(60, "ENOSTR"),
			Map.entry(61, "ENODATA"),
			Map.entry(62, "ETIME"),
			Map.entry(63, "ENOSR"),
			Map.entry(64, "ENONET"),
			Map.entry(65, "ENOPKG"),
			Map.entry(66, "EREMOTE"),
			Map.entry(67, "ENOLINK"),
			Map.entry(68, "EADV"),
			Map.entry(69, "ESRMNT"),
			Map.entry(70, "ECOMM"),
			Map.entry(71, "EPROTO"),
			Map.entry(72, "EMULTIHOP"),
			Map.entry(73, "EDOTDOT"),
			Map.entry(74, "EBADMSG"),
			Map.entry(75, "EOVERFLOW"),
			Map.entry(76, "ENOTUNIQ"),
			Map.entry(77, "EBADFD"),
			Map.entry(78, "EREMCHG"),
			Map.entry(79, "ELIBACC"),
			Map.entry(80, "ELIBBAD"),
			Map.entry(81, "ELIBSCN"),
			Map.entry(82, "ELIBMAX"),
			Map.entry(83, "ELIBEXEC"),
			Map.entry(84, "EILSEQ"),
			Map.entry(85, "ERESTART"),
			Map.entry(86, "ESTRPIPE"),
			Map.entry(87, "EUSERS"),
			Map.entry(88, "ENOTSOCK"),
			Map.entry(89, "EDESTADDRREQ"),
			Map.entry(90, "EMSGSIZE"),
			Map.entry(91, "EPROTOTYPE"),
			Map.entry(92, "ENOPROTOOPT"),
			Map.entry(93, "EPROTONOSUPPORT"),
			Map.entry(94, "ESOCKTNOSUPPORT"),
			Map.entry(95, "EOPNOTSUPP"),
			Map.entry(96, "EPFNOSUPPORT"),
			Map.entry(97, "EAFNOSUPPORT"),
			Map.entry(98, "EADDRINUSE"),
			Map.entry(99, "EADDRNOTAVAIL"),
			Map.entry(100, "ENETDOWN"),
			Map.entry(101, "ENETUNREACH"),
			Map.entry(102, "ENETRESET"),
			Map.entry(103, "ECONNABORTED"),
			Map.entry(104, "ECONNRESET"),
			Map.entry(105, "ENOBUFS"),
			Map.entry(106, "EISCONN"),
			Map.entry(107, "ENOTCONN"),
			Map.entry(108, "ESHUTDOWN"),
			Map.entry(109, "ETOOMANYREFS"),
			Map.entry(110, "ETIMEDOUT"),
			Map.entry(111, "ECONNREFUSED"),
			Map.entry(112, "EHOSTDOWN"),
			Map.entry(113, "EHOSTUNREACH"),
			Map.entry(114, "EALREADY"),
			Map.entry(115, "EINPROGRESS"),
			Map.entry(116, "ESTALE"),
			Map.entry(117, "EUCLEAN"),
			Map.entry(118, "ENOTNAM"),
			Map.entry(119, "ENAVAIL"),
			Map.entry(120, "EISNAM"),
			Map.entry(121, "EREMOTEIO"),
			Map.entry(122, "EDQUOT"),
			Map.entry(123, "ENOMEDIUM"),
			Map.entry(124, "EMEDIUMTYPE"),
			Map.entry(125, "ECANCELED"),
			Map.entry(126, "ENOKEY"),
			Map.entry(127, "EKEYEXPIRED"),
			Map.entry(128, "EKEYREVOKED"),
			Map.entry(129, "EKEYREJECTED"),
			Map.entry(130, "EOWNERDEAD"),
			Map.entry(131, "ENOTRECOVERABLE"),
			Map.entry(132, "ERFKILL"));

	private KernelErrno() {
	}

	/**
	 * The name of an error number.
	 *
	 * @param errno a positive error number, e.g. 113
	 * @return its name without sign, e.g. {@code "EHOSTUNREACH"}; empty for a number the kernel's
	 *     headers do not name (its own internal ones such as 524, ENOTSUPP, included: {@code "ENOTSUPP"})
	 */
	public static Optional<String> name(int errno) {
		if (errno == 524) {
			return Optional.of("ENOTSUPP");
		}
		return Optional.ofNullable(NAMES.get(errno));
	}
}
