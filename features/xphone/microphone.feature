@XP-12
Feature: XPhone Connect: microphone sync
  With MicrophoneUsageSync.Enable = 1 a process on
  MicrophoneUsageSync.ProcessWhitelist that uses the microphone switches the
  client to the central profile "MicSync" (Beschäftigt), which shows the
  process. The defaults chrome, firefox, iexplore, msedge, g2mcomm,
  TeamViewerMeeting and Zoom need not be listed; configured names are
  comma-separated and extend them (seed 001). The administrator adds and
  activates the central profile template "MicSync" (Präsenzstatus
  Beschäftigt) first. The profile is XPhone's own: Teams syncs telephony and
  Do-not-disturb only, so Teams does not change.

  Background:
    Given alice is signed in to Teams on mobile
    And the XPhone administrator sets "MicrophoneUsageSync.Enable" to "1"
    And the XPhone administrator sets "Zentrale Profilvorlage MicSync" to "ja"
    And alice uses XPhone Connect

  Scenario Outline: Processes on the default list switch to MicSync, others do not
    When the process "<Prozess>" starts using alice's microphone
    Then alice's XPhone client shows <XPhone>
    And alice's XPhone presence is <Präsenz>
    And alice's presence is Available
    When the process "<Prozess>" stops using alice's microphone
    Then alice's XPhone client shows Verfügbar

    Examples:
      | Prozess           | XPhone                      | Präsenz     |
      | Zoom              | MicSync (Zoom)              | Beschäftigt |
      | chrome            | MicSync (chrome)            | Beschäftigt |
      | msedge            | MicSync (msedge)            | Beschäftigt |
      | TeamViewerMeeting | MicSync (TeamViewerMeeting) | Beschäftigt |
      | g2mcomm           | MicSync (g2mcomm)           | Beschäftigt |
      | Slack             | Verfügbar                   | Verfügbar   |
      | ms-teams          | Verfügbar                   | Verfügbar   |

  Scenario: Configured process names extend the defaults
    Given the XPhone administrator sets "MicrophoneUsageSync.ProcessWhitelist" to "Slack, Amazon Chime,Discord"
    When the process "Amazon Chime" starts using alice's microphone
    Then alice's XPhone client shows MicSync (Amazon Chime)
    When the process "Amazon Chime" stops using alice's microphone
    And the process "firefox" starts using alice's microphone
    Then alice's XPhone client shows MicSync (firefox)

  Scenario: Microphone sync switched off
    Given the XPhone administrator sets "MicrophoneUsageSync.Enable" to "0"
    When the process "Zoom" starts using alice's microphone
    Then alice's XPhone client shows Verfügbar

  @XP-14
  Scenario: A call outranks microphone sync, and the client returns to MicSync after it
    When the process "Zoom" starts using alice's microphone
    And alice starts an XPhone call
    Then alice's XPhone client shows Am Telefon
    When alice's XPhone call ends
    Then alice's XPhone client shows MicSync (Zoom)
