Feature: XPhone Connect where seed 001's statements meet
  Seed 001 speaks of the profile "MS Teams" for Teams meetings ("Wenn für ein
  Microsoft Teams Meeting spezielle Einstellungen hinterlegt werden sollen,
  kann ein neues Profil mit dem Namen MS Teams angelegt … werden"): XPhone
  mirrors Busy/InAMeeting as an appointment with the same profile choice as
  a call; since Graph shows a calendar appointment as InAMeeting too, a
  setting turns meeting sync off (XP-7). A Teams account is required: a user
  without one is not synced, and XPhone says so (XP-11). Microphone sync
  needs the central profile template "MicSync" added and active; without it
  microphone use changes nothing (XP-12).

  Background:
    Given it is 09:00
    And the users alice and bob
    And alice is signed in to Teams on mobile
    And bob is signed in to Teams on mobile
    And alice uses XPhone Connect

  @XP-7 @XP-8
  Scenario: A Teams meeting is mirrored as an appointment by default
    When alice joins a Teams meeting
    Then alice's presence is In einer Besprechung
    And alice's XPhone appointment list has "Am Telefon (MS Teams)" with profile "Termin"
    And alice's XPhone client shows Am Telefon (MS Teams)
    When alice leaves the Teams meeting
    Then alice's XPhone appointment list is empty
    And alice's XPhone client shows Verfügbar

  @XP-7
  Scenario: A Teams meeting takes the profile "MS Teams" with its settings
    Given alice has the XPhone profiles:
      | Profil       | Präsenzstatus | Rufumleitung |
      | Verfügbar    | Verfügbar     | -            |
      | Termin       | Beschäftigt   | -            |
      | MS Teams     | Beschäftigt   | Voicemail    |
    When alice joins a Teams meeting
    Then alice's XPhone appointment list has "Am Telefon (MS Teams)" with profile "MS Teams"
    And alice's XPhone call forwarding goes to Voicemail

  @XP-7 @T-CAL-1
  Scenario: A calendar appointment is InAMeeting too; the setting turns meeting sync off
    Given alice has a meeting from 10:00 to 11:00
    And XPhone does not treat Teams meetings as calls
    When it is 10:00
    Then alice's presence is Busy/InAMeeting
    And alice's XPhone appointment list is empty
    And alice's XPhone client shows Verfügbar

  @XP-8 @XP-7
  Scenario: An appointment left by a lost connection and the next call's: two in the list
    When alice and bob are in a Teams call
    And alice's XPhone client loses its connection to the XPhone server
    And the call ends
    And alice's XPhone client reconnects to the XPhone server
    And alice and bob are in a Teams call
    Then alice's XPhone appointment list has 2 appointments
    When the call ends
    Then alice's XPhone appointment list has 1 appointment

  @XP-4 @C-7
  Scenario: Without change notifications XPhone shows a Teams call within its poll interval
    Given XPhone stops receiving change notifications for alice
    When alice and bob are in a Teams call
    Then alice's XPhone client shows Verfügbar
    And within 60 seconds alice's XPhone client shows Am Telefon (MS Teams)

  @XP-11 @XP-3
  Scenario: A user without a Teams account is not synced, and XPhone reports it
    Given erin uses XPhone Connect without a Teams account
    When erin starts an XPhone call
    Then erin's XPhone client shows Am Telefon
    And XPhone reports erin as not synced because erin has no Teams account
    And XPhone has written 0 times to Teams for erin
    When alice starts an XPhone call
    Then alice's presence is Busy/InACall
    And XPhone has written 1 time to Teams for alice

  @XP-12
  Scenario: Without the central profile template "MicSync" microphone use changes nothing, and XPhone says why
    Given the XPhone administrator sets "MicrophoneUsageSync.Enable" to "1"
    And the XPhone administrator sets "Zentrale Profilvorlage MicSync" to "nein"
    When the process "Zoom" starts using alice's microphone
    Then alice's XPhone client shows Verfügbar
    And XPhone reports alice's microphone use as ignored because the central profile template "MicSync" is not active
    When the XPhone administrator sets "Zentrale Profilvorlage MicSync" to "ja"
    Then alice's XPhone client shows MicSync (Zoom)

  @XP-12
  Scenario Outline: 001's further known process name of <Anwendung> works once configured
    The rows are seed 001's list "Weitere bekannte Prozessnamen", word for
    word: Anwendung = Prozessname (Hinweis).
    Given the XPhone administrator sets "MicrophoneUsageSync.Enable" to "1"
    And the XPhone administrator sets "Zentrale Profilvorlage MicSync" to "ja"
    And the XPhone administrator sets "MicrophoneUsageSync.ProcessWhitelist" to "<Prozessname>"
    When the process "<Prozessname>" starts using alice's microphone
    Then alice's XPhone client shows MicSync (<Prozessname>)
    And alice's XPhone presence is Beschäftigt

    Examples: Weitere bekannte Prozessnamen
      | Anwendung                   | Prozessname       | Hinweis                |
      | Amazon Chime for Windows    | Amazon Chime      |                        |
      | BlueJeans for Windows       | BlueJeans         |                        |
      | Circuit for Windows         | Circuit           |                        |
      | Cisco Webex                 | CiscoCollabHost   | Special Webex Settings |
      | Discord                     | Discord           |                        |
      | Google Chrome               | chrome            |                        |
      | GoTo Meeting                | g2mcomm           |                        |
      | Mozilla Firefox             | firefox           |                        |
      | Microsoft Edge              | msedge            |                        |
      | Microsoft Internet Explorer | iexplore          |                        |
      | Microsoft Teams (V1)        | teams             |                        |
      | Microsoft Teams (V2)        | ms-teams          |                        |
      | RingCentral App             | RingCentral       |                        |
      | Slack for Windows           | Slack             |                        |
      | TeamViewer Meeting          | TeamViewerMeeting |                        |
      | Unify Office                | Unify Office      |                        |
      | Zoom Meeting                | Zoom              |                        |
